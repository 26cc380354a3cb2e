from django.contrib import admin

from .models import Authority


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "dfe_code", "region", "dfe_type", "start_date", "end_date")
    list_filter = ("region", "dfe_type")
    search_fields = ("name", "dfe_code", "search_text")
