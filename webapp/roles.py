"""The roles a person may hold. Everyone is an employee; the others are granted."""
from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    LEADER = "leader"
    ADMIN = "admin"


GRANTABLE_ROLES = (Role.MANAGER, Role.HR, Role.LEADER, Role.ADMIN)
