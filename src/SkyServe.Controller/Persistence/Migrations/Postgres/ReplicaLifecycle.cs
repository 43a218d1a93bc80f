using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SkyServe.Controller.Persistence.Migrations.Postgres;

[DbContext(typeof(PostgresControllerDb))]
[Migration("20261122000002_ReplicaLifecycle")]
public sealed partial class ReplicaLifecycle : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => ReplicaLifecycleOperations.Up(migrationBuilder, ColumnTypes.Postgres);
    protected override void Down(MigrationBuilder migrationBuilder) => ReplicaLifecycleOperations.Down(migrationBuilder);
}
