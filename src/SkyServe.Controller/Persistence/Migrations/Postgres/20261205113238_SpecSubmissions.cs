using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SkyServe.Controller.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SpecSubmissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "inputs",
                table: "service_versions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "uploads",
                table: "service_versions",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "blobs",
                columns: table => new
                {
                    digest = table.Column<string>(type: "text", nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_blobs", x => x.digest);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "blobs");

            migrationBuilder.DropColumn(
                name: "inputs",
                table: "service_versions");

            migrationBuilder.DropColumn(
                name: "uploads",
                table: "service_versions");
        }
    }
}
