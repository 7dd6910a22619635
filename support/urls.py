from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("faq/", views.faq, name="faq"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/helpful/", views.article_helpful, name="article_helpful"),
    path("contact/", views.contact, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact_sent"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<str:reference>/", views.ticket_detail, name="ticket"),
]
