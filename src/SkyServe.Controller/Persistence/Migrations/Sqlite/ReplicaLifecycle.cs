using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SkyServe.Controller.Persistence.Migrations.Sqlite;

[DbContext(typeof(SqliteControllerDb))]
[Migration("20261122000002_ReplicaLifecycle")]
public sealed partial class ReplicaLifecycle : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => ReplicaLifecycleOperations.Up(migrationBuilder, ColumnTypes.Sqlite);
    protected override void Down(MigrationBuilder migrationBuilder) => ReplicaLifecycleOperations.Down(migrationBuilder);
}
