from django.contrib import admin

from .models import Framework


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    """Frameworks are data files; the admin shows them read-only."""

    list_display = ("code", "title", "first_year", "last_year", "yearly")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
