package io.tierflow.billing.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;

/**
 * A graduated price: each band prices only the units that fall into it (unlike a volume
 * price, where the whole quantity takes one band's price).
 *
 * @param unit the unit the bands count in, as shown on invoice lines
 * @param bands bands in ascending order of their limits; only the last may be unbounded
 */
public record GraduatedRate(String unit, @Valid @NotEmpty List<Band> bands) {

	public GraduatedRate {
		bands = List.copyOf(bands);
		BigDecimal previous = BigDecimal.ZERO;
		for (int i = 0; i < bands.size(); i++) {
			BigDecimal upTo = bands.get(i).upTo();
			if (upTo == null && i < bands.size() - 1) {
				throw new IllegalArgumentException("Only the last band of a rate may be unbounded");
			}
			if (upTo != null && upTo.compareTo(previous) <= 0) {
				throw new IllegalArgumentException("Band limits must ascend: " + upTo + " after " + previous);
			}
			previous = upTo;
		}
	}

	/**
	 * Splits {@code quantity} over the bands. Bands the quantity does not reach are left
	 * out; a quantity above the last bounded band is charged nothing beyond it (define an
	 * unbounded last band to price it).
	 */
	public List<BandCharge> charge(BigDecimal quantity) {
		List<BandCharge> charges = new ArrayList<>();
		BigDecimal from = BigDecimal.ZERO;
		for (Band band : this.bands) {
			if (quantity.compareTo(from) <= 0) {
				break;
			}
			BigDecimal to = (band.upTo() == null || quantity.compareTo(band.upTo()) < 0) ? quantity : band.upTo();
			BigDecimal inBand = to.subtract(from);
			charges.add(new BandCharge(from, band.upTo(), inBand, band.unitPrice(),
					Money.round(inBand.multiply(band.unitPrice()))));
			if (band.upTo() == null) {
				break;
			}
			from = band.upTo();
		}
		return charges;
	}

}
