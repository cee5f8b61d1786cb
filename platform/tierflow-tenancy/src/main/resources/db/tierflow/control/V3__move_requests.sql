-- The tier change a move carries out (tenant-service's saga), so that its result can be
-- answered even when the move is finished by another instance after its process died,
-- and a redelivered request never starts a second move.
alter table tenant_move add column change_id uuid;
alter table tenant_move add column rollback boolean not null default false;
create unique index tenant_move_change on tenant_move (change_id, rollback) where change_id is not null;
