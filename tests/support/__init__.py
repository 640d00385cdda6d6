"""What the tests share: fakes of the platforms and services, and helpers to drive them."""
