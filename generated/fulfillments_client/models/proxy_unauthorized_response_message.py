from enum import StrEnum


class ProxyUnauthorizedResponseMessage(StrEnum):
    AUTHENTICATION_ERROR = "Authentication error"
    FAILED_TO_GET_USER_INFO = "Failed to get user info"

    def __str__(self) -> str:
        return str(self.value)
