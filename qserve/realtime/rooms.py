"""Room names, in one place so that emitters and listeners agree."""


def ticket_room(token: str) -> str:
    """Return the room of one ticket's holder."""
    return f"ticket:{token}"


def display_room(location_id: int) -> str:
    """Return the room of a location's waiting-room displays."""
    return f"display:{location_id}"


def staff_room(location_id: int) -> str:
    """Return the room of a location's staff tablets."""
    return f"staff:{location_id}"


def service_room(service_id: int) -> str:
    """Return the room of everyone following one service's queue."""
    return f"service:{service_id}"


def counter_room(counter_id: int) -> str:
    """Return the room of one counter's tablet."""
    return f"counter:{counter_id}"
