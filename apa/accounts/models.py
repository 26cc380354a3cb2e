from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    INSPECTOR = "inspector", "Inspector"
    MODERATOR = "moderator", "Moderator"
    PUBLISHER = "publisher", "Publisher"
    AUTHORITY_OFFICER = "authority_officer", "Authority officer"
    DEMOCRATIC_SERVICES = "democratic_services", "Democratic services"
    ADMIN = "admin", "Administrator"


# Roles whose work is tied to one authority.
AUTHORITY_ROLES = frozenset({Role.AUTHORITY_OFFICER, Role.DEMOCRATIC_SERVICES})


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    authority = models.ForeignKey(
        "authorities.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="authority_role_has_authority",
                condition=~models.Q(role__in=["authority_officer", "democratic_services"]) | models.Q(authority__isnull=False),
            ),
        ]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.role in roles or (self.role == Role.ADMIN and Role.ADMIN in roles))

    @property
    def is_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)


class PasswordResetLimit(models.Model):
    """When password-reset emails were last sent for one key (an email address's SHA-256, or a client
    address): at most settings.PASSWORD_RESET_LIMIT times in PASSWORD_RESET_WINDOW. In the database, so every
    server process counts the same requests (apa.accounts.throttle)."""

    key = models.CharField(max_length=80, unique=True)
    sent = models.JSONField(default=list)  # ISO times within the window, oldest first
    last = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
