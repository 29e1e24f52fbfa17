//! A local, stateful emulator of the Tool Router v3.1 API.
