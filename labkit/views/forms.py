"""Validation of the core's own forms (accounts, profile, administration)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator

from labkit.auth import MIN_PASSWORD_LENGTH
from labkit.i18n import N_
from labkit.models import ROLES

Language = Literal["pt-BR", "es", "fr", "en"]


class LoginForm(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1000)

    @field_validator("email")
    @classmethod
    def _normal_email(cls, value: str) -> str:
        return value.strip().lower()


class NewPasswordForm(BaseModel):
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1000)
    password_again: str = Field(max_length=1000)

    @field_validator("password_again")
    @classmethod
    def _same_passwords(cls, value: str, info: ValidationInfo) -> str:
        if "password" in info.data and value != info.data["password"]:
            raise ValueError(N_("The two passwords are not the same."))
        return value


class RegisterForm(NewPasswordForm):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    accept: bool = False

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(N_("Enter your name."))
        return value.strip()

    @field_validator("email")
    @classmethod
    def _normal_email(cls, value: str) -> str:
        return value.strip().lower()


class ResetRequestForm(BaseModel):
    email: EmailStr


class ProfileForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    locale: Language | None = None


class ConfirmPasswordForm(BaseModel):
    password: str = Field(max_length=1000)


class TokenForm(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class PersonAdminForm(BaseModel):
    role: Literal[ROLES]  # type: ignore[valid-type]
    is_active: bool = False


class InviteForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    role: Literal[ROLES] = "member"  # type: ignore[valid-type]

    @field_validator("email")
    @classmethod
    def _normal_email(cls, value: str) -> str:
        return value.strip().lower()
