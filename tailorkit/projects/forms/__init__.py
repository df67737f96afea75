"""Forms of the tailoring cycle, one module per part of it. Forms only shape input; the services
check everything again and are the only writers."""
