from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from mediadesk.accounts.models import Brand, Client, Membership, Organization, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = ["email", "full_name", "organization", "is_org_admin", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "organization", "is_org_admin")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "password1", "password2")}),)


admin.site.register(Organization)
admin.site.register(Client)
admin.site.register(Brand)
admin.site.register(Membership)
