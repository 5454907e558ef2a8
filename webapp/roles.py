"""The roles a person may hold. Everyone is an employee; the others are granted."""
from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    LEADER = "leader"
    ADMIN = "admin"


GRANTABLE_ROLES = (Role.MANAGER, Role.HR, Role.LEADER, Role.ADMIN)
IMPLIED_ROLES: dict[Role, frozenset[Role]] = {Role.ADMIN: frozenset({Role.HR})}  # an admin can do what HR can


def effective_roles(held: frozenset[Role]) -> frozenset[Role]:
    """The roles held plus those they imply (the one place role checks widen)."""
    return held.union(*(IMPLIED_ROLES.get(role, frozenset()) for role in held))
