from enum import StrEnum


class FulfillmentState(StrEnum):
    BOOKED = "Booked"
    CANCELLED = "Cancelled"
    COMPLETE = "Complete"
    EXECUTING = "Executing"
    SENTTOBILLING = "SentToBilling"

    def __str__(self) -> str:
        return str(self.value)
