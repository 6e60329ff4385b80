"""The main navigation and the pages it leads to call things by the same names."""

from django.urls import reverse

DUPLICATES = "Possible duplicate records"


def test_nav_and_the_review_queue_both_say_possible_duplicate_records(client, world):
    client.force_login(world.maria)  # a manager: reviews possible duplicates
    html = client.get(reverse("linkage:queue")).content.decode()
    assert f'<a href="{reverse("linkage:queue")}">{DUPLICATES}</a>' in html
    assert f"<h1>{DUPLICATES}</h1>" in html
    assert "Possible matches" not in html


def test_practitioners_do_not_get_the_review_link(client, world):
    client.force_login(world.sam)
    html = client.get(reverse("home:worklist")).content.decode()
    assert DUPLICATES not in html
