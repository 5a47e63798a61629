// Live queue statistics per department × channel (#14 item 5): built in its own change.
export {};
