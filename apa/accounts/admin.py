from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class ApaUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "authority", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = UserAdmin.fieldsets + (("APA role", {"fields": ("role", "authority")}),)
    autocomplete_fields = ()
    raw_id_fields = ("authority",)
