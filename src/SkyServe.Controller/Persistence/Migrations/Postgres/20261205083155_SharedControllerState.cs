using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SkyServe.Controller.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SharedControllerState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "autoscaler_pending_since",
                table: "services",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "autoscaler_pending_target",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "autoscaler_target",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "launch_failures",
                table: "services",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "launch_not_before",
                table: "services",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "serving_versions",
                table: "services",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "controller_leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false),
                    owner = table.Column<string>(type: "text", nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false),
                    acquired_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    renewed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_controller_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "request_counts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    service_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    requests = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_request_counts", x => x.id);
                    table.ForeignKey(
                        name: "FK_request_counts_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_request_counts_service_id_at",
                table: "request_counts",
                columns: new[] { "service_id", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "controller_leases");

            migrationBuilder.DropTable(
                name: "request_counts");

            migrationBuilder.DropColumn(
                name: "autoscaler_pending_since",
                table: "services");

            migrationBuilder.DropColumn(
                name: "autoscaler_pending_target",
                table: "services");

            migrationBuilder.DropColumn(
                name: "autoscaler_target",
                table: "services");

            migrationBuilder.DropColumn(
                name: "launch_failures",
                table: "services");

            migrationBuilder.DropColumn(
                name: "launch_not_before",
                table: "services");

            migrationBuilder.DropColumn(
                name: "serving_versions",
                table: "services");
        }
    }
}
