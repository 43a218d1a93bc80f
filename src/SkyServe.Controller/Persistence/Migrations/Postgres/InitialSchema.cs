using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SkyServe.Controller.Persistence.Migrations.Postgres;

[DbContext(typeof(PostgresControllerDb))]
[Migration("20261122000001_InitialSchema")]
public sealed class InitialSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => InitialSchemaOperations.Up(migrationBuilder, ColumnTypes.Postgres);
    protected override void Down(MigrationBuilder migrationBuilder) => InitialSchemaOperations.Down(migrationBuilder);
}
