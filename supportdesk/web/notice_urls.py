from django.urls import path

from supportdesk.web import language, notices

app_name = "notices"

urlpatterns = [
    path("", notices.inbox, name="inbox"),
    path("read", notices.mark_read, name="mark_read"),
    path("profile/", notices.profile, name="profile"),
    path("language", language.switch_language, name="language"),
    path("cases/<int:case_id>/follow", notices.follow, name="follow"),
    path("unsubscribe/<str:token>/", notices.unsubscribe, name="unsubscribe"),
]
