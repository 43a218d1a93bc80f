using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SkyServe.Controller.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "uploads",
                table: "service_versions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "blobs",
                columns: table => new
                {
                    digest = table.Column<string>(type: "TEXT", nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    content = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
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
