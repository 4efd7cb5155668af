from django.urls import path, register_converter

from forecasts import feeds, views, views_browse, views_card, views_claims, views_hedges, views_panel


class RowIdConverter:
    """A database id: at most 18 digits, so a huge number is a 404 rather than an overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RowIdConverter, "id")

urlpatterns = [
    path("", views.leaderboard, name="leaderboard"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("leaderboard.csv", views.leaderboard_csv, name="leaderboard-csv"),
    path("how-scores-work/", views.how_scores_work, name="how-scores-work"),
    path("hedges/", views_hedges.hedge_dictionary, name="hedges"),
    path("questions/", views_browse.question_list, name="question-list"),
    path("sources/", views_browse.source_list, name="source-list"),
    path("experts/", views_browse.expert_list, name="expert-list"),
    path("search/", views_browse.site_search, name="search"),
    path("experts/<slug:slug>/", views.expert_detail, name="expert-detail"),
    path("experts/<slug:slug>/claims.csv", views.expert_claims_csv, name="expert-claims-csv"),
    path("experts/<slug:a>/versus/<slug:b>/", views_panel.expert_versus, name="expert-versus"),
    path("feeds/resolutions.atom", feeds.ResolutionsFeed.as_view(), name="feed-resolutions"),
    path("experts/<slug:slug>/card.svg", views_card.expert_card_svg, name="expert-card"),
    path("experts/<slug:slug>/feed.atom", feeds.ExpertFeed.as_view(), name="feed-expert"),
    path("topics/<slug:slug>/feed.atom", feeds.TopicFeed.as_view(), name="feed-topic"),
    path("questions/<id:pk>/", views.question_detail, name="question-detail"),
    path("sources/<id:pk>/", views.source_detail, name="source-detail"),
    path("claims/<id:pk>/", views_claims.claim_detail, name="claim-detail"),
]
