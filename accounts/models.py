from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from knox.models import AbstractAuthToken

from rvuedge.periods import academic_year_start

PGY_RANGE = (1, 10)


class CareerStage(models.TextChoices):
    MEDICAL_STUDENT = "student", "Medical student"
    RESIDENT = "resident", "Resident"
    ATTENDING = "attending", "Attending"


class Specialty(models.TextChoices):
    ANESTHESIOLOGY = "anesthesiology", "Anesthesiology"
    CARDIOLOGY = "cardiology", "Cardiology"
    DERMATOLOGY = "dermatology", "Dermatology"
    EMERGENCY_MEDICINE = "emergency_medicine", "Emergency Medicine"
    FAMILY_MEDICINE = "family_medicine", "Family Medicine"
    GASTROENTEROLOGY = "gastroenterology", "Gastroenterology"
    GENERAL_SURGERY = "general_surgery", "General Surgery"
    HOSPITAL_MEDICINE = "hospital_medicine", "Hospital Medicine"
    INTERNAL_MEDICINE = "internal_medicine", "Internal Medicine"
    NEUROLOGY = "neurology", "Neurology"
    NEUROSURGERY = "neurosurgery", "Neurosurgery"
    OBSTETRICS_GYNECOLOGY = "obstetrics_gynecology", "Obstetrics & Gynecology"
    OPHTHALMOLOGY = "ophthalmology", "Ophthalmology"
    ORTHOPAEDIC_SURGERY = "orthopaedic_surgery", "Orthopaedic Surgery"
    OTOLARYNGOLOGY = "otolaryngology", "Otolaryngology"
    PATHOLOGY = "pathology", "Pathology"
    PEDIATRICS = "pediatrics", "Pediatrics"
    PHYSICAL_MEDICINE = "physical_medicine", "Physical Medicine & Rehabilitation"
    PLASTIC_SURGERY = "plastic_surgery", "Plastic Surgery"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    PULMONOLOGY = "pulmonology", "Pulmonary & Critical Care"
    RADIATION_ONCOLOGY = "radiation_oncology", "Radiation Oncology"
    RADIOLOGY = "radiology", "Diagnostic Radiology"
    HEMATOLOGY_ONCOLOGY = "hematology_oncology", "Hematology & Oncology"
    UROLOGY = "urology", "Urology"
    VASCULAR_SURGERY = "vascular_surgery", "Vascular Surgery"
    OTHER = "other", "Other"
    UNDECIDED = "undecided", "Undecided (students)"


class PracticeSetting(models.TextChoices):
    ACADEMIC = "academic", "Academic medical center"
    HOSPITAL_EMPLOYED = "hospital_employed", "Hospital or health-system employed"
    PRIVATE_PRACTICE = "private_practice", "Private practice"
    MULTISPECIALTY_GROUP = "multispecialty_group", "Multispecialty group"
    GOVERNMENT = "government", "Government / VA"
    OTHER = "other", "Other"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("career_stage", CareerStage.ATTENDING)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person using RVU Edge. Email is the login; career stage shapes what they see."""

    username = None
    email = models.EmailField("email address", unique=True)
    career_stage = models.CharField(
        max_length=16,
        choices=CareerStage.choices,
        help_text="Where you are in your career; change it as you move on.",
    )
    specialty = models.CharField(max_length=32, choices=Specialty.choices, blank=True)
    # Residents
    pgy_year = models.PositiveSmallIntegerField(
        "PGY year",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Post-graduate year, 1 to 10.",
    )
    residency_start_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The year the resident's PGY-1 began (in July), worked out from the PGY year "
        "they give; each entry's PGY follows from it and the entry's academic year.",
    )
    program = models.CharField(
        "residency program", max_length=200, blank=True, help_text="Program or institution name."
    )
    # Attendings (their target and pay rate are tracking's goal settings, not the profile's)
    practice_setting = models.CharField(max_length=32, choices=PracticeSetting.choices, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(career_stage__in=CareerStage.values),
                name="user_career_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(pgy_year__isnull=True) | Q(pgy_year__gte=1, pgy_year__lte=10),
                name="user_pgy_year_range",
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_trainee(self):
        return self.career_stage in (CareerStage.MEDICAL_STUDENT, CareerStage.RESIDENT)

    @property
    def is_student(self):
        return self.career_stage == CareerStage.MEDICAL_STUDENT

    @property
    def is_resident(self):
        return self.career_stage == CareerStage.RESIDENT

    def pgy_on(self, day) -> int | None:
        """The PGY year on a date (academic years start on July 1): 0 or less before residency,
        None without a residency start."""
        if self.residency_start_year is None:
            return None
        return academic_year_start(day) - self.residency_start_year + 1

    @property
    def current_pgy(self) -> int | None:
        """Today's PGY year, kept within 1 to 10 (the stored PGY year is as it was given)."""
        pgy = self.pgy_on(timezone.localdate())
        if pgy is None:
            return self.pgy_year
        return min(max(pgy, PGY_RANGE[0]), PGY_RANGE[1])


class LoginSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class LoginSession(models.Model):
    """A session key a user signed in with, so deleting the account can end every session.

    Django's sessions do not say whose they are without decoding each one; this small index
    is written when someone signs in (and when a password change gives the session a new key).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LoginSessionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.user_id}:{self.session_key[:6]}…"


class ApiToken(AbstractAuthToken):
    """A revocable API token for a mobile client; only its digest is stored (django-rest-knox)."""

    name = models.CharField(max_length=60, help_text='Where it is used, e.g. "iPhone".')

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"
