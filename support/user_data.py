"""support's sections of "download my data" and "delete my account" (rvuedge.user_data)."""

from rvuedge.user_data import register_user_data

from .models import StaffReply, Ticket, TicketMessage


def export_tickets(user):
    return [
        {
            "reference": ticket.reference,
            "topic": ticket.get_topic_display(),
            "status": ticket.status,
            "email": ticket.email,
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
        }
        for ticket in Ticket.objects.for_user(user).order_by("created_at", "pk")
    ]


def export_ticket_messages(user):
    # Staff are named as the team, never by their own address: that is not the user's data.
    messages = TicketMessage.objects.filter(ticket__user=user).select_related("ticket")
    return [
        {
            "ticket": message.ticket.reference,
            "from": "RVU Edge support" if message.from_staff else "you",
            "body": message.body,
            "created_at": message.created_at,
        }
        for message in messages.order_by("ticket__created_at", "created_at", "pk")
    ]


def delete_tickets(user):
    # The cascade from the user would do it too; explicit keeps the order ours.
    Ticket.objects.for_user(user).delete()


def register():
    register_user_data(
        "support_tickets", export=export_tickets, delete=delete_tickets, models=(Ticket,)
    )
    # Replies a staff member wrote are covered by the messages of the tickets they answered.
    register_user_data(
        "support_messages", export=export_ticket_messages, models=(TicketMessage, StaffReply)
    )
