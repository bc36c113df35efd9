"""E-reception: appeals to the city's officials under Art. 20 of the Law of Ukraine
"On Citizens' Appeals", each one thread of correspondence with a deadline counted on the
city's calendar (``misto.core.workdays``).

A resident writes to a reception (the mayor, a deputy mayor, the council secretary, a
department head, a local deputy); the contact centre and the registry register phone and
paper appeals into the same flow. The office assigns an executor and a term (15 days when no
extra study is needed, otherwise 30; extended with notice to at most 45 in total), may ask for
more information in the same thread, and answers there. An appeal past its deadline is
escalated to the office's head and to the situational centre (``appeals.AppealOverdue``).
"""
