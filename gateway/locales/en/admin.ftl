# The staff console.

admin-brand = Staff console
admin-nav-dashboard = Today
admin-nav-box-office = Box office
admin-nav-site = Customer site
admin-staff-only = This part is for cinema staff. Sign in with a staff account.
admin-not-allowed = Your role may not open this page.
admin-dashboard-title = Today’s showtimes
admin-dashboard-empty = No showtimes today.
admin-time = Time
admin-auditorium = Auditorium
admin-occupancy = Occupancy
admin-occupancy-label = { $percent } % sold or held
admin-sold-held-free = Sold / held / free
