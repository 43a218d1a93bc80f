using System.Globalization;
using System.Text;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Python's strftime for strftime_now(format) (Llama 3.2 asks for "%d %b %Y"), with English names as in
/// the C locale and glibc's "%-d" for no padding. Hugging Face formats a naive local time, so %Z and %z
/// are empty.
/// </summary>
internal static class Strftime
{
    public static string Format(DateTimeOffset time, string format)
    {
        var text = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }
            var directive = format[++i];
            var padded = true;
            if (directive == '-' && i + 1 < format.Length)
            {
                padded = false;
                directive = format[++i];
            }
            text.Append(Directive(time, directive, padded));
        }
        return text.ToString();
    }

    private static string Directive(DateTimeOffset time, char directive, bool padded)
    {
        var english = CultureInfo.InvariantCulture.DateTimeFormat;
        string Number(int value, int width) =>
            value.ToString(padded ? new string('0', width) : "0", CultureInfo.InvariantCulture);
        var hour12 = time.Hour % 12 == 0 ? 12 : time.Hour % 12;
        return directive switch
        {
            'a' => english.GetAbbreviatedDayName(time.DayOfWeek),
            'A' => english.GetDayName(time.DayOfWeek),
            'b' or 'h' => english.GetAbbreviatedMonthName(time.Month),
            'B' => english.GetMonthName(time.Month),
            'd' => Number(time.Day, 2),
            'e' => padded ? time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) : Number(time.Day, 1),
            'm' => Number(time.Month, 2),
            'y' => Number(time.Year % 100, 2),
            'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
            'H' => Number(time.Hour, 2),
            'I' => Number(hour12, 2),
            'M' => Number(time.Minute, 2),
            'S' => Number(time.Second, 2),
            'f' => (time.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture),
            'p' => time.Hour < 12 ? "AM" : "PM",
            'j' => Number(time.DayOfYear, 3),
            'w' => ((int)time.DayOfWeek).ToString(CultureInfo.InvariantCulture),
            'u' => (time.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)time.DayOfWeek).ToString(CultureInfo.InvariantCulture),
            'F' => Format(time, "%Y-%m-%d"),
            'D' or 'x' => Format(time, "%m/%d/%y"),
            'T' or 'X' => Format(time, "%H:%M:%S"),
            'R' => Format(time, "%H:%M"),
            'c' => Format(time, "%a %b %e %H:%M:%S %Y"),
            'z' or 'Z' => "",
            'n' => "\n",
            't' => "\t",
            '%' => "%",
            _ => throw new ChatTemplateException($"strftime_now: unsupported directive '%{directive}'"),
        };
    }
}
