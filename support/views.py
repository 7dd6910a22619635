from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from rvuedge import edge_cache
from rvuedge.json_ld import json_ld
from rvuedge.markdown import render_markdown

from . import ratelimit, selectors, services
from .forms import ContactForm, ReplyForm
from .models import Article, Question, Ticket

VOTES_SESSION_KEY = "support_helpful_votes"
LAST_TICKET_SESSION_KEY = "support_last_ticket"


@edge_cache.shared
def index(request):
    context = {"topics": selectors.topics_with_articles()}
    if request.user.is_authenticated:
        context["open_tickets"] = (
            Ticket.objects.for_user(request.user).exclude(status=Ticket.Status.CLOSED).count()
        )
    return render(request, "support/index.html", context)


def search(request):
    query = request.GET.get("q", "").strip()
    results = list(selectors.article_search(query)) if query else []
    return render(request, "support/search.html", {"query": query, "results": results})


def _voted(request, article) -> str | None:
    return request.session.get(VOTES_SESSION_KEY, {}).get(str(article.pk))


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published().select_related("topic"), slug=slug)
    related = Article.objects.published().filter(topic=article.topic).exclude(pk=article.pk)[:6]
    return render(
        request,
        "support/article.html",
        {
            "article": article,
            "body_html": mark_safe(render_markdown(article.body)),  # sanitized by nh3
            "related": related,
            "voted": _voted(request, article),
        },
    )


@require_POST
def article_helpful(request, slug):
    """Count "was this helpful": one answer per session per article."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        return redirect(article)
    already = _voted(request, article)
    if already is None:
        services.article_vote(article=article, helpful=answer == "yes")
        votes = request.session.get(VOTES_SESSION_KEY, {})
        votes[str(article.pk)] = answer
        request.session[VOTES_SESSION_KEY] = votes
    context = {"article": article, "voted": already or answer, "just_voted": already is None}
    if request.headers.get("HX-Request"):
        return render(request, "support/_helpful.html", context)
    messages.success(request, "Thank you for your feedback.")
    return redirect(article)


@edge_cache.shared
def faq(request):
    questions = list(Question.objects.filter(is_published=True).select_related("article"))
    faq_page = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": question.question,
                "acceptedAnswer": {"@type": "Answer", "text": question.answer},
            }
            for question in questions
        ],
    }
    context = {"questions": questions, "json_ld": json_ld(faq_page)}
    return render(request, "support/faq.html", context)


def _contact_accept(request, form, user):
    if form.is_spam:
        # Look like success, so the bot learns nothing; nothing is stored or sent.
        request.session.pop(LAST_TICKET_SESSION_KEY, None)
        return redirect("support:contact_sent")
    ticket = services.ticket_create(
        user=user,
        email=form.cleaned_data.get("email", ""),
        topic=form.cleaned_data["topic"],
        body=form.cleaned_data["message"],
    )
    request.session[LAST_TICKET_SESSION_KEY] = ticket.reference
    return redirect("support:contact_sent")


def contact(request):
    """Anyone can write to us; a honeypot and a rate limit keep the inbox for people."""
    user = request.user if request.user.is_authenticated else None
    limited = False
    if request.method == "POST":
        form = ContactForm(request.POST, user=user)
        limited = ratelimit.contact_limited(request)
        if not limited and form.is_valid():
            # Counted only once the form is complete; the count itself is the decision.
            limited = not ratelimit.contact_allow(request)
            if not limited:
                return _contact_accept(request, form, user)
    else:
        form = ContactForm(user=user, initial={"topic": request.GET.get("topic", "")})
    return render(
        request,
        "support/contact.html",
        {"form": form, "limited": limited, "window_minutes": ratelimit.window_minutes()},
        status=429 if limited else 200,
    )


def contact_sent(request):
    reference = request.session.get(LAST_TICKET_SESSION_KEY)
    ticket = Ticket.objects.filter(reference=reference).first() if reference else None
    return render(request, "support/contact_sent.html", {"ticket": ticket})


@login_required
def ticket_list(request):
    tickets = (
        Ticket.objects.for_user(request.user).prefetch_related("messages").order_by("-updated_at")
    )
    return render(request, "support/ticket_list.html", {"tickets": tickets})


@login_required
def ticket_detail(request, reference):
    ticket = get_object_or_404(Ticket, reference=reference, user=request.user)
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            services.ticket_reply(ticket=ticket, user=request.user, body=form.cleaned_data["body"])
            messages.success(request, "Your reply was sent. We will answer by email and here.")
            return redirect(ticket)
    else:
        form = ReplyForm()
    thread = ticket.messages.select_related("author")
    return render(
        request, "support/ticket_detail.html", {"ticket": ticket, "thread": thread, "form": form}
    )
