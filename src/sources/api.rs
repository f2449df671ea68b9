//! The randomuser.me API client. (stub: being written)
