app_name = "episodes"
urlpatterns: list = []
