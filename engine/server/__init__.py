"""The console and jobs API served by densan itself (`densan serve`): departments request
jobs, operators watch the night, mainframe tools talk z/OSMF; every access checked against
the user's section and role, every sensitive act in the hash-chained audit log."""
