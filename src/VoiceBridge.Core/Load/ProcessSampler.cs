using System.Globalization;

namespace VoiceBridge.Load;

/// <summary>
/// CPU time and resident memory of another process, from Linux's /proc: utime+stime of
/// /proc/PID/stat (clock ticks, 100 a second on every Linux this runs on) and VmRSS of
/// /proc/PID/status. Threads are included: both are whole-process figures.
/// </summary>
public static class ProcessSampler
{
    /// <summary>USER_HZ: what /proc/PID/stat counts CPU time in.</summary>
    public const double TicksPerSecond = 100;

    /// <summary>One reading of process <paramref name="pid"/>; null when it is gone or unreadable.</summary>
    public static ProcessSample? Read(int pid, long nowMicros)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var status = File.ReadAllText($"/proc/{pid}/status");
            return ParseCpuTicks(stat, out var ticks, out _) && ParseRssKb(status, out var rss, out _)
                ? new ProcessSample(nowMicros, ticks, rss)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>utime+stime from a /proc/PID/stat line. The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.</summary>
    public static bool ParseCpuTicks(string stat, out long ticks, out string? error)
    {
        ticks = 0;
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            error = "no ')' closing the command name";
            return false;
        }

        // After the name: field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13)
        {
            error = $"{fields.Length + 2} fields, utime and stime are fields 14 and 15";
            return false;
        }

        if (!long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime))
        {
            error = $"utime '{fields[11]}' or stime '{fields[12]}' is not a count of ticks";
            return false;
        }

        ticks = utime + stime;
        error = null;
        return true;
    }

    /// <summary>VmRSS in kB from /proc/PID/status.</summary>
    public static bool ParseRssKb(string status, out long kb, out string? error)
    {
        kb = 0;
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line["VmRSS:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out kb))
            {
                error = null;
                return true;
            }

            error = $"VmRSS line '{line.Trim()}' is not 'VmRSS: N kB'";
            return false;
        }

        error = "no VmRSS line (a kernel thread, or not Linux)";
        return false;
    }

    /// <summary>Percent of one core used between two samples.</summary>
    public static double CpuPercent(ProcessSample from, ProcessSample to)
    {
        var seconds = (to.Micros - from.Micros) / 1e6;
        return seconds <= 0 ? 0 : (to.CpuTicks - from.CpuTicks) / TicksPerSecond / seconds * 100;
    }
}

/// <summary>A reading: when (monotonic microseconds), CPU ticks so far, resident kB.</summary>
public sealed record ProcessSample(long Micros, long CpuTicks, long RssKb);
