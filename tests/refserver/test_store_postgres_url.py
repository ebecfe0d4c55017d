"""How a PostgreSQL store URL splits into pool options and the libpq connection string."""

from __future__ import annotations

import pytest

from refserver.store.postgres import PoolOptions


def test_pool_options_come_out_of_the_url_and_the_rest_goes_to_libpq() -> None:
    conninfo, options = PoolOptions.split_url(
        "postgresql://u@h:5/db?pool_min=2&pool_max=7&pool_timeout=1.5&sslmode=disable"
    )
    assert conninfo == "postgresql://u@h:5/db?sslmode=disable"
    assert options == PoolOptions(min_size=2, max_size=7, timeout=1.5)
    assert PoolOptions.split_url("postgres://h/db")[1] == PoolOptions()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://user:s3cret@x.db",
        "postgresql://user:s3cret@h/db?pool_min=3&pool_max=2",
        "postgresql://user:s3cret@h?pool_max=0",
    ],
)
def test_bad_store_urls_are_refused_without_echoing_the_password(url: str) -> None:
    with pytest.raises(ValueError, match=r"PostgreSQL store URL|pool_max") as refused:
        PoolOptions.split_url(url)
    assert "s3cret" not in str(refused.value)


def test_libpq_options_keep_their_spaces() -> None:
    conninfo, _ = PoolOptions.split_url("postgresql://h/db?options=-c%20search_path%3Ds&pool_max=2")
    assert conninfo == "postgresql://h/db?options=-c%20search_path%3Ds"
