"""Search under /cpt-codes/, mounted before codes.urls so that "search" and "suggest" are never
read as code names."""

from django.urls import path

from . import search_views

app_name = "code_search"

urlpatterns = [
    path("search/", search_views.search, name="search"),
    path("suggest/", search_views.suggest, name="suggest"),
]
