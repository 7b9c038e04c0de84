"""Services: one class per domain area; the business rules and the transaction boundaries.
They are built and wired together by backend.container.Services."""
