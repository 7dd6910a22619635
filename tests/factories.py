import factory

from accounts.models import CareerStage, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can sign in: a password and, unless verified=False, a verified primary email."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    career_stage = CareerStage.ATTENDING
    specialty = "internal_medicine"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # Email verification is mandatory, so a user without a verified address cannot sign in.
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(
                user=obj, email=obj.email, primary=True, verified=extracted is not False
            )


def sign_in(client, user, password=PASSWORD):
    """Sign in through allauth's form, as the admin requires (force_login records no sign-in
    step, so the admin would send that session to re-authenticate)."""
    from django.urls import reverse

    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client
