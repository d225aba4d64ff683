"""Log in, log out, change password; the forced password change for new accounts."""
