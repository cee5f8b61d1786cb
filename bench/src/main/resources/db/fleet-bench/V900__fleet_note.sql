-- The tenant migration bench/run fleet-migrate rolls over the fleet: a column and an index.
alter table simulation_model add column fleet_note text;
create index simulation_model_fleet_note on simulation_model (fleet_note);
