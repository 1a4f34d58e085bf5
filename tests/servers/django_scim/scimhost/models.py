"""The user and group models, as in django-scim2's own test project (tests/models.py)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django_scim.models import AbstractSCIMGroupMixin, AbstractSCIMUserMixin


class ScimGroup(AbstractSCIMGroupMixin):
    name = models.CharField("name", max_length=254, unique=True)


class ScimUser(AbstractSCIMUserMixin, AbstractUser):
    scim_groups = models.ManyToManyField(ScimGroup, related_name="user_set")
