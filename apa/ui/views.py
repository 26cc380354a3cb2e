"""The error pages every app shares."""

from django.shortcuts import render


def error_403(request, exception=None):
    return render(request, "ui/error.html", {"title": "You do not have access to this page",
                                             "message": "Sign in with an account that has access, or go back."}, status=403)


def error_404(request, exception=None):
    return render(request, "ui/error.html", {"title": "Page not found",
                                             "message": "If you typed the web address, check it is correct."}, status=404)


def error_500(request):
    return render(request, "ui/error.html", {"title": "Sorry, there is a problem with the service",
                                             "message": "Try again later."}, status=500)
