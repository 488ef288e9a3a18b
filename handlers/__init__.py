"""Message and event handlers: one router per file. The bot loads them through `routers()`."""

from bot.inbound.routing import Router


def routers() -> list[Router]:
    """Routers in dispatch order: observers of every router run before any responder."""
    from handlers import contacts, corp_tags, customer_messages, feedback, kf, mp, staff_messages

    return [customer_messages.router, contacts.router, kf.router, mp.router, staff_messages.router,
            corp_tags.router, feedback.router]
