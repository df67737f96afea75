"""Load the built-in content packs (content/packs/) or the given pack folders/files."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tailorkit.library.packfiles import MANIFEST, PackError, peek_manifest
from tailorkit.library.services import pack_load

DEFAULT_DIR = Path(settings.BASE_DIR) / "content" / "packs"


def _expand(paths):
    """Each argument is a pack folder, a folder of pack folders, or a .yaml/.zip file."""
    found = []
    for path in map(Path, paths):
        if path.is_dir() and not (path / MANIFEST).is_file():
            found.extend(sorted(p for p in path.iterdir() if (p / MANIFEST).is_file()))
        else:
            found.append(path)
    return found


def _ordered(paths):
    """Links packs last, since their endpoints must already be loaded; otherwise by name."""
    def key(path):
        manifest = peek_manifest(path) if path.is_dir() else {}
        return (manifest.get("kind") == "links", path.name)

    return sorted(paths, key=key)


class Command(BaseCommand):
    help = "Load content packs (default: every pack in content/packs/). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="pack folders, folders of packs, or .yaml/.zip files")

    def handle(self, *args, paths=(), **options):
        packs = _ordered(_expand(paths or [DEFAULT_DIR]))
        if not packs:
            raise CommandError(f"No packs found in {', '.join(map(str, paths or [DEFAULT_DIR]))}.")
        failures = []
        for path in packs:
            try:
                result = pack_load(path=path, builtin=not paths or path.resolve().is_relative_to(DEFAULT_DIR))
            except PackError as exc:
                failures.append(path.name)
                self.stderr.write(f"{path.name}: failed")
                for error in exc.errors:
                    self.stderr.write(f"  {error}")
                continue
            counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(result.counts.items()))
            line = f"{result.pack.slug} {result.pack.version}: {result.status}"
            self.stdout.write(f"{line} ({counts})" if counts else line)
        if failures:
            raise CommandError(f"{len(failures)} pack(s) failed to load: {', '.join(failures)}")
