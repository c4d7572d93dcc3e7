"""Pages anyone may open without signing in: the help centre and the satisfaction
survey's signed links."""

from django.urls import path

from supportdesk.portal import help, satisfaction

app_name = "public"

urlpatterns = [
    path("help/", help.help_index, name="help"),
    path("help/articles/<slug:slug>/", help.help_article, name="help_article"),
    path("rate/<str:token>/", satisfaction.rate, name="rate"),
]
