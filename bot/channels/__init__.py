"""渠道活码: channel codes made from the console (WeCom `add_contact_way`), the tags they put on the
customers who add through them, and the numbers per code (adds, kept, conversions) and per referrer."""
