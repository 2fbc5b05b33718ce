using CsCheck;
using VoiceBridge.Faults;

namespace VoiceBridge.Tests.Faults;

/// <summary>What a live drill's fault may be, the errors that say why not, and which new calls a share takes.</summary>
public sealed class DrillFaultTests
{
    [Theory]
    [InlineData("primary", true, "primary:drill@now")]
    [InlineData("primary:drill", false, "primary:drill@turn2")]
    [InlineData("primary:close", true, "primary:close@now")]
    [InlineData("primary:close", false, "primary:close@turn2")]
    [InlineData("openai-realtime:blackhole@turn3@first", false, "openai-realtime:blackhole@turn3")]
    [InlineData("primary:error@12s", false, "primary:error@12s")]
    [InlineData("primary:ratelimit@connect", false, "primary:ratelimit@connect")]
    [InlineData("primary:refuse", false, "primary:refuse@connect")]
    [InlineData("azure-realtime:http-5xx", true, "azure-realtime:http5xx@connect")]
    [InlineData("primary:drill@now", true, "primary:drill@now")]
    public void Parses_what_our_side_can_carry_out(string text, bool liveCall, string parsed)
    {
        Assert.True(DrillFault.TryParse(text, liveCall, out var fault, out var error), error);
        Assert.Equal(parsed, fault!.ToString());
    }

    [Theory]
    [InlineData("", true, "empty")]
    [InlineData("primary:close@turn2+500", false, "turnN+MS and turnN@done are moments only the provider sees")]
    [InlineData("primary:close@turn2@done", false, "userN[+MS], turnN+MS and turnN@done")]
    [InlineData("primary:error@user1", false, "userN[+MS]")]
    [InlineData("primary:stall-response", false, "only a provider can do")]
    [InlineData("primary:slow:900", false, "only a provider can do")]
    [InlineData("primary:empty-transcript@user1", false, "only a provider can do")]
    [InlineData("primary:explode", false, "unknown kind 'explode'")]
    [InlineData("local.stt:close@turn1", false, "cascade stage")]
    [InlineData("primary:close@now", false, "@now is for a drill of one live call")]
    [InlineData("primary:refuse@now", true, "use @connect")]
    [InlineData("primary:close@connect", false, "only refuse, http5xx and ratelimit happen at connect")]
    [InlineData("primary:close@turn0", false, "turns count from 1")]
    [InlineData("PRIMARY CLOSE", false, "expected TARGET[:KIND][@WHEN]")]
    public void Refuses_the_rest_naming_the_problem(string text, bool liveCall, string expected)
    {
        Assert.False(DrillFault.TryParse(text, liveCall, out var fault, out var error));
        Assert.Null(fault);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_throws_on_any_text_and_an_error_always_says_something()
    {
        Gen.String.Sample(text => DrillFault.TryParse(text, liveCall: true, out var fault, out var error) ? fault is not null : error!.Length > 0, iter: 2000);
        Gen.String.Select(s => "primary:" + s).Sample(text => DrillFault.TryParse(text, liveCall: false, out var fault, out var error) ? fault is not null : error!.Length > 0, iter: 2000);
    }

    [Fact]
    public void Refuses_text_over_the_limit_without_reading_it()
    {
        Assert.False(DrillFault.TryParse("primary:close@" + new string('1', DrillFault.MaxLength), false, out _, out var error));
        Assert.Contains($"longer than {DrillFault.MaxLength}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fifty_percent_of_ten_calls_is_exactly_five_every_second_one()
    {
        var share = new DrillShare(50);
        var taken = Enumerable.Range(1, 10).Where(_ => share.Next()).ToList();

        Assert.Equal([2, 4, 6, 8, 10], taken);
        Assert.Equal((10, 5), (share.Seen, share.Taken));
    }

    [Fact]
    public void One_percent_is_every_hundredth_call()
    {
        var share = new DrillShare(1);
        var taken = Enumerable.Range(1, 1000).Where(_ => share.Next()).ToList();

        Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 100), taken);
    }

    [Fact]
    public void Any_share_of_any_number_of_calls_takes_the_floor_of_its_part()
    {
        Gen.Int[1, 10_000].Select(Gen.Int[0, 3000]).Sample((basisPoints, calls) =>
        {
            var share = new DrillShare(basisPoints / 100m);
            for (var i = 0; i < calls; i++)
            {
                share.Next();
            }

            return share.Taken == (long)calls * basisPoints / 10_000;
        });
    }

    [Theory]
    [InlineData(0, "more than 0 and at most 100")]
    [InlineData(-5, "more than 0 and at most 100")]
    [InlineData(100.5, "more than 0 and at most 100")]
    [InlineData(0.001, "to 0.01 %")]
    public void A_share_out_of_range_is_refused(double percent, string expected)
    {
        Assert.Contains(expected, DrillShare.ParseProblem((decimal)percent), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DrillShare((decimal)percent));
    }
}
