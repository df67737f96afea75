from django.shortcuts import render


def api_tokens(request):
    return render(request, "api/tokens.html")
