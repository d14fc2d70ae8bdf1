from django.urls import path

from awn.knowledge.views import editor, help, manage, suggest, ticket

app_name = "knowledge"
urlpatterns = [
    # The help center: public pages in the portal.
    path("help/", help.home, name="home"),
    path("help/search/", help.search, name="search"),
    path("help/suggest/", suggest.suggestions, name="suggest"),
    path("help/logo/", help.logo, name="logo"),
    path("help/categories/<str:slug>/", help.category, name="category"),
    path("help/articles/<str:slug>/", help.article, name="article"),
    path("help/articles/<str:slug>/feedback/", help.feedback, name="feedback"),
    path("help/articles/<str:slug>/answered/", suggest.answered, name="answered"),
    path("help/files/<int:pk>/<str:name>", help.article_file, name="file"),
    # The agents' side: writing articles, the help center's set-up, metrics, the ticket page's panel.
    path("desk/knowledge/", editor.article_list, name="articles"),
    path("desk/knowledge/articles/new/", editor.article_new, name="article_new"),
    path("desk/knowledge/articles/<int:pk>/", editor.article_edit, name="article_edit"),
    path("desk/knowledge/articles/<int:pk>/state/", editor.article_state, name="article_state"),
    path("desk/knowledge/articles/<int:pk>/settings/", editor.article_settings, name="article_settings"),
    path("desk/knowledge/articles/<int:pk>/files/", editor.article_upload, name="article_upload"),
    path("desk/knowledge/articles/<int:pk>/revisions/", editor.article_revisions, name="article_revisions"),
    path("desk/knowledge/revisions/<int:pk>/restore/", editor.revision_restore, name="revision_restore"),
    path("desk/knowledge/preview/", editor.preview, name="preview"),
    path("desk/knowledge/from-message/<int:message_id>/", editor.from_message, name="from_message"),
    path("desk/knowledge/categories/", manage.categories, name="categories"),
    path("desk/knowledge/categories/<int:pk>/", manage.category_edit, name="category_edit"),
    path("desk/knowledge/sections/<int:pk>/", manage.section_edit, name="section_edit"),
    path("desk/knowledge/branding/", manage.branding, name="branding"),
    path("desk/knowledge/metrics/", manage.metrics_page, name="metrics"),
    path("desk/knowledge/lookup/", ticket.lookup, name="lookup"),
    path("desk/knowledge/tickets/<int:number>/panel/", ticket.panel, name="ticket_panel"),
]
