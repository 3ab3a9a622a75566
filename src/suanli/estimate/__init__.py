"""Cost models: what a computation needs in operations, memory, time and energy on named machines."""
