/**
 * The bank lookup's one SQL statement, shared by the service and by the bench's bare node:http + pg
 * handler, so that the two are measured on the very same query. Parameters: tenant, ID number, year.
 */
export const STATUS_SQL = `
  SELECT r.name, r.birth_date, r.applicant_type, r.hukou_place, r.residence_permit_place, r.status AS resident_status,
         r.transferred_out_on, r.transferred_to, r.household_id, h.region_code,
         e.status, e.amount_due, e.amount_paid, e.cover_start, e.cover_end, e.circumstances,
         (SELECT json_agg(json_build_object('category', a.category, 'valid_from', a.valid_from, 'valid_to', a.valid_to) ORDER BY a.valid_from)
            FROM assistance_identity a WHERE a.tenant_code = $1 AND a.id_number = $2) AS identities,
         ARRAY(SELECT s.tenant_code FROM scheme_elsewhere(ARRAY[$2::text], $3) s ORDER BY 1) AS elsewhere
    FROM (SELECT 1) one
    LEFT JOIN resident r ON r.tenant_code = $1 AND r.id_number = $2
    LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
    LEFT JOIN enrollment e ON e.tenant_code = $1 AND e.id_number = $2 AND e.coverage_year = $3`;
