"""Repeated wrong passwords lock a username out from that address, and the lockout is logged."""

import logging

import pytest

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "desk", password="right-horse-battery", is_staff=True
    )


def log_in(client, password, username="desk", address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_right_password_logs_in(client, editor):
    response = log_in(client, "right-horse-battery")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_five_wrong_passwords_lock_the_login_even_with_the_right_one(client, editor, caplog):
    for _ in range(4):
        response = log_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text

    with caplog.at_level(logging.WARNING):
        locked = log_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.text
    assert any("Locking out" in record.getMessage() for record in caplog.records)

    still_locked = log_in(client, "right-horse-battery")
    assert still_locked.status_code == 429
    assert client.get("/admin/").status_code == 302  # not logged in


def test_a_lockout_holds_only_for_that_username_and_address(client, editor, django_user_model):
    django_user_model.objects.create_user("other", password="other-horse-battery", is_staff=True)
    for _ in range(5):
        log_in(client, "wrong")
    assert log_in(client, "right-horse-battery").status_code == 429

    assert log_in(client, "right-horse-battery", address="198.51.100.2").status_code == 302
    client.logout()
    assert log_in(client, "other-horse-battery", username="other").status_code == 302


def test_a_success_forgives_earlier_mistakes(client, editor):
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, "right-horse-battery").status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200
