import factory

from portal.outbox.models import OutboxMessage


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A row as the enqueue services write it, without scheduling a send."""

    class Meta:
        model = OutboxMessage

    channel = OutboxMessage.Channel.EMAIL
    key = factory.Sequence(lambda n: f"test:{n}")
    recipients = factory.LazyFunction(lambda: ["anna@example.test"])
    subject = "Your reservation"
    text = "Hello Anna, your reservation is confirmed."
